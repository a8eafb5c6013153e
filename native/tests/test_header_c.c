/* Proves inpainterz.h is plain C99 and that its basic contract holds from C:
 * the ABI version matches, errors come back as codes with a message, and a checkpoint
 * given on the command line loads. */
#include <stdio.h>
#include <string.h>

#include "inpainterz.h"

static int failures = 0;
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

    rc = inp_checkpoint_init("/nonexistent/x.pth", &p, &ck);
    EXPECT(rc == INP_ERR_IO);
    EXPECT(ck == NULL);
    EXPECT(strstr(inp_last_error(), "/nonexistent/x.pth") != NULL);

    EXPECT(inp_set_num_threads(0) == INP_ERR_INVALID_ARGUMENT);
    inp_checkpoint_free(NULL); /* a no-op */

    if (argc > 1) {
        inp_model_info info;
        rc = inp_checkpoint_init(argv[1], &p, &ck);
        EXPECT(rc == INP_OK);
        if (rc == INP_OK) {
            EXPECT(inp_checkpoint_model_info(ck, &info) == INP_OK);
            EXPECT(info.family == INP_MODEL_SAM);
            EXPECT(info.num_tensors > 0);
            inp_checkpoint_free(ck);
        } else {
            fprintf(stderr, "%s\n", inp_last_error());
        }
    }
    if (failures == 0) printf("test_header_c: ok (%s)\n", inp_build_info());
    return failures == 0 ? 0 : 1;
}
