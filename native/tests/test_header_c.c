/* Proves inpainterz.h is plain C99 and that its basic contract holds from C:
 * the ABI version matches, errors come back as codes with a message, and a checkpoint
 * given on the command line loads. */
#include <stdio.h>
#include <string.h>

#include "inpainterz.h"

static int failures = 0;

static bool count_steps(const char *stage, int64_t done, int64_t total, void *user_data) {
    (void)total;
    if (strcmp(stage, "checkpoint") == 0) *(int64_t *)user_data = done;
    return true;
}
#define EXPECT(cond)                                                        \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                     \
        }                                                                   \
    } while (0)

int main(int argc, char **argv) {
    inp_checkpoint *ck = NULL;
    inp_checkpoint_params p = inp_checkpoint_default_params();
    int32_t rc;

    EXPECT(inp_abi_version() == INP_ABI_VERSION);
    EXPECT(strcmp(inp_status_name(INP_ERR_IO), "INP_ERR_IO") == 0);

    rc = inp_checkpoint_init("/nonexistent/x.pth", &p, NULL, &ck);
    EXPECT(rc == INP_ERR_IO);
    EXPECT(ck == NULL);
    EXPECT(strstr(inp_last_error(), "/nonexistent/x.pth") != NULL);

    EXPECT(inp_set_num_threads(0) == INP_ERR_INVALID_ARGUMENT);
    inp_checkpoint_free(NULL); /* a no-op */
    {
        /* A 1x1 modulated deformable convolution with stride 2 on [[0, 1], [2, 3]]: one output
         * pixel sampling (0.5, 0.25) = 1.25, times weight 2, plus bias 0.5. */
        const float input[4] = {0, 1, 2, 3}, offset[2] = {0.5f, 0.25f}, mask[1] = {1}, weight[1] = {2}, bias[1] = {0.5f};
        float out[1] = {0};
        EXPECT(inp_modulated_deform_conv(input, offset, mask, weight, bias, 1, 1, 2, 2, 1, 1, 1, 2, 0, 1, 1, 1, false, out) == INP_OK);
        EXPECT(out[0] == 3.0f);
        out[0] = 0;
        EXPECT(inp_modulated_deform_conv(input, offset, mask, weight, NULL, 1, 1, 2, 2, 1, 1, 1, 2, 0, 1, 1, 1, true, out) == INP_OK);
        EXPECT(out[0] == 2.5f);
        EXPECT(inp_modulated_deform_conv(input, offset, mask, weight, bias, 1, 1, 2, 2, 1, 1, 1, 2, 0, 1, 0, 1, false, out) ==
               INP_ERR_INVALID_ARGUMENT);
        EXPECT(strstr(inp_last_error(), "groups") != NULL);
    }

    if (argc > 1) {
        inp_model_info info;
        inp_run run = inp_run_default_params();
        inp_cancel_token *token = NULL;
        int64_t steps = 0;
        run.progress = count_steps;
        run.user_data = &steps;
        rc = inp_checkpoint_init(argv[1], &p, &run, &ck);
        EXPECT(rc == INP_OK);
        if (rc == INP_OK) {
            EXPECT(inp_checkpoint_model_info(ck, &info) == INP_OK);
            EXPECT(info.family == INP_MODEL_SAM);
            EXPECT(info.num_tensors > 0);
            EXPECT(steps == info.num_tensors); /* one report per tensor, the last one = total */
            inp_checkpoint_free(ck);
            ck = NULL;
        } else {
            fprintf(stderr, "%s\n", inp_last_error());
        }
        /* A token set before the call: nothing is loaded, the code says why. */
        EXPECT(inp_cancel_token_init(&token) == INP_OK);
        EXPECT(!inp_cancel_token_is_cancelled(token));
        inp_cancel_token_cancel(token);
        EXPECT(inp_cancel_token_is_cancelled(token));
        run.cancel = token;
        rc = inp_checkpoint_init(argv[1], &p, &run, &ck);
        EXPECT(rc == INP_ERR_CANCELLED);
        EXPECT(ck == NULL);
        inp_cancel_token_free(token);
    }
    if (failures == 0) printf("test_header_c: ok (%s)\n", inp_build_info());
    return failures == 0 ? 0 : 1;
}
