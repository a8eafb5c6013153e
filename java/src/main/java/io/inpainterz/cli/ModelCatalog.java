package io.inpainterz.cli;

import io.inpainterz.CheckpointException;
import io.inpainterz.FileAccessException;
import io.inpainterz.engine.Checkpoint;
import io.inpainterz.engine.Inpainter;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.ModelFamily;
import io.inpainterz.engine.ModelInfo;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.Tracker;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The official model files: where they are published, their SHA-256 sums and sizes where known
 * (../shared/MODELS.md), what they hold, their licences; and how a file is checked against its
 * entry. The one place this is written down: {@code models}, {@code models download} and
 * {@code ckpt/download.sh} read it; its default entries are {@code remove}'s defaults.
 */
final class ModelCatalog {
    private ModelCatalog() {}

    static final String SAM_URL = "https://dl.fbaipublicfiles.com/segment_anything/";
    static final String DRIVE_URL = "https://drive.usercontent.google.com";
    /**
     * Overrides (system property, else the environment variable of the same name in capitals
     * with underscores: INPAINTERZ_MODELS_URL, INPAINTERZ_DRIVE_URL): a mirror serving every file
     * as {@code <url>/<file>}, and Google Drive's host. Tests point them at loopback.
     */
    static final String MIRROR = "inpainterz.models.url", DRIVE = "inpainterz.drive.url";

    static final String APACHE = "Apache-2.0", BSD = "BSD-3-Clause", CC_BY_NC = "CC BY-NC 4.0 (non-commercial use only)";

    /**
     * One official file.
     *
     * @param file      its name in ckpt/
     * @param variant   what {@link ModelInfo#variant()} reads from it
     * @param url       where it is published, or null for a Google Drive file
     * @param driveId   its Google Drive id, or null
     * @param archive   the name of the zip that the Drive file is, holding {@code file}; null when the Drive file is {@code file}
     * @param bytes     its published size, -1 when none is
     * @param sha256    its published SHA-256, null when none is
     * @param structure whether its structure is checked (no published sum, or one from a single source)
     */
    record Model(String file, String title, boolean isDefault, ModelFamily family, String variant, String url, String driveId, String archive,
                 long bytes, String sha256, boolean structure, String licence) {
        /** How a good file is told from a bad one. */
        String verifiedBy() {
            return sha256 == null ? "structure" : structure ? "SHA-256 + structure" : "SHA-256";
        }
    }

    private static Model sam(String file, String title, boolean isDefault, String variant, long bytes, String sha256) {
        return new Model(file, title, isDefault, ModelFamily.SAM, variant, SAM_URL + file, null, null, bytes, sha256, false, APACHE);
    }

    private static Model deaot(String file, String title, boolean isDefault, String variant, String driveId, long bytes, String sha256) {
        return new Model(file, title, isDefault, ModelFamily.DEAOT, variant, null, driveId, null, bytes, sha256, true, BSD);
    }

    /** SAM: facebookresearch/segment-anything's README; DeAOT: yoxu515/aot-benchmark's MODEL_ZOO.md; E2FGVI: MCG-NKU/E2FGVI's README. */
    static final List<Model> MODELS = List.of(
            sam(ModelOptions.DEFAULT_SAM, "SAM ViT-B", true, "vit_b", 375_042_383L, "ec2df62732614e57411cdcf32a23ffdf28910380d03139ee0f4fcbe91eb8c912"),
            sam("sam_vit_l_0b3195.pth", "SAM ViT-L", false, "vit_l", -1, "3adcc4315b642a4d2101128f611684e8734c41232a17c648ed1693702a49a622"),
            sam("sam_vit_h_4b8939.pth", "SAM ViT-H", false, "vit_h", 2_564_550_879L, "a7bf3b02f3ebf1267aba913ff637d9a2d5c33d3173bb679e46d9f338c26f262e"),
            // One public source for this sum: the structure is checked too.
            deaot(ModelOptions.DEFAULT_DEAOT, "R50-DeAOT-L", true, "R50-DeAOT-L (ResNet-50, 3 layers)", "1QoChMkTVxdYZ_eBlZhK2acq9KMQZccPJ", 236_513_959L,
                    "7e8a8d83310739bac02817f6bf48b6bbe2bbd7d5325722f1084088eb3aee1e06"),
            deaot("DeAOTT_PRE_YTB_DAV.pth", "DeAOT-T", false, "DeAOT-T (MobileNetV2, 1 layer)", "1ThWIZQS03cYWx1EKNN8MIMnJS5eRowzr", -1, null),
            deaot("DeAOTS_PRE_YTB_DAV.pth", "DeAOT-S", false, "DeAOT-S (MobileNetV2, 2 layers)", "1YwIAV5tBtn5spSFxKLBQBEQGwPHyQlHi", -1, null),
            deaot("DeAOTB_PRE_YTB_DAV.pth", "DeAOT-B", false, "DeAOT-B/L (MobileNetV2, 3 layers)", "1BHxsonnvJXylqHlZ1zJHHc-ymKyq-CFf", -1, null),
            deaot("DeAOTL_PRE_YTB_DAV.pth", "DeAOT-L", false, "DeAOT-B/L (MobileNetV2, 3 layers)", "18elNz_wi9JyVBcIUYKhRdL08MA-FqHD5", -1, null),
            // The E2FGVI Drive file is a zip (E2FGVI_CVPR22_models.zip) holding the checkpoint.
            new Model(ModelOptions.DEFAULT_E2FGVI, "E2FGVI", true, ModelFamily.E2FGVI, "E2FGVI (8 blocks)", null, "1tNJMTJ2gmWdIXJoHVi5-H504uImUiJW9",
                    "E2FGVI_CVPR22_models.zip", -1, null, true, CC_BY_NC),
            new Model("E2FGVI-HQ-CVPR22.pth", "E2FGVI-HQ", false, ModelFamily.E2FGVI, "E2FGVI-HQ (8 blocks)", null, "10wGdKSUOie0XmCr8SQ2A2FeDe-mfn5w3",
                    null, -1, null, true, CC_BY_NC));

    /** The entry of a name: its file name, with or without ".pth", in any case. */
    static Optional<Model> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return MODELS.stream().filter(m -> m.file().toLowerCase(Locale.ROOT).equals(n) || m.file().toLowerCase(Locale.ROOT).equals(n + ".pth")).findFirst();
    }

    /** Where the file is fetched from, and under which name (the archive's, when it is one). */
    record Source(URI uri, String name) {}

    /** {@code config}: the settings by property name ({@link #config}). */
    static Source source(Model m, Function<String, String> config) {
        String mirror = config.apply(MIRROR);
        if (mirror != null) return new Source(URI.create(slash(mirror) + m.file()), m.file());
        if (m.url() != null) return new Source(URI.create(m.url()), m.file());
        String drive = config.apply(DRIVE);
        return new Source(URI.create(slash(drive == null ? DRIVE_URL : drive) + "download?id=" + m.driveId() + "&export=download"),
                m.archive() != null ? m.archive() : m.file());
    }

    /** The system property {@code property}, else its environment variable ({@code a.b.c}: {@code A_B_C}), else null. */
    static String config(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) v = System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_'));
        return v == null || v.isBlank() ? null : v;
    }

    private static String slash(String url) {
        return url.endsWith("/") ? url : url + "/";
    }

    /** What a good file is: its size and SHA-256 ({@code sha256} always holds the file's). */
    record Verified(long bytes, String sha256, String by) {}

    /**
     * Checks {@code file} against {@code m}: the published size and SHA-256 where there are some;
     * else (or also, see {@link Model#structure}) the structure: the family and variant the
     * checkpoint reader finds, and every key and shape, through the family's strict loader.
     * A bad file is a {@link CheckpointException} saying why.
     */
    static Verified verify(Model m, Path file, Job job) {
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw new FileAccessException("cannot read '" + file + "': " + e.getMessage());
        }
        if (m.bytes() > 0 && bytes != m.bytes()) {
            throw new CheckpointException(file + " has " + bytes + " bytes; the official " + m.file() + " has " + m.bytes());
        }
        String sha = sha256(file, job, "verify " + m.file());
        if (m.sha256() != null && !sha.equals(m.sha256())) {
            throw new CheckpointException(file + " has SHA-256 " + sha + "; the official " + m.file() + " has " + m.sha256());
        }
        if (m.structure()) structure(m, file);
        return new Verified(bytes, sha, m.verifiedBy());
    }

    private static void structure(Model m, Path file) {
        try (Checkpoint ck = Checkpoint.open(file)) {
            ModelInfo info = ck.modelInfo();
            if (info.family() != m.family() || !info.variant().equals(m.variant())) {
                throw new CheckpointException(file + " holds " + (info.family() == ModelFamily.UNKNOWN ? "no known model" : info.family().id() + " " + info.variant())
                        + ", not " + m.title() + " (" + m.family().id() + " " + m.variant() + ")");
            }
            // Every key and shape the family expects: its loader is strict (unknown, missing or mis-shaped keys are errors).
            switch (m.family()) {
                case SAM -> Sam.fromCheckpoint(ck, Sam.Options.defaults()).close();
                case DEAOT -> Tracker.fromCheckpoint(ck, Tracker.Options.defaults()).close();
                case E2FGVI -> Inpainter.fromCheckpoint(ck, Inpainter.Options.defaults()).close();
                case UNKNOWN -> throw new IllegalStateException("no loader for " + m.file());
            }
        } catch (CheckpointException e) {
            if (e.getMessage().startsWith(file.toString())) throw e;
            throw new CheckpointException(file + " is not a good " + m.title() + " checkpoint: " + e.getMessage());
        }
    }

    static String sha256(Path file, Job job, String stage) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            long total = Files.size(file), done = 0, reported = 0;
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                done += n;
                if (job != null && (done - reported >= (16 << 20) || done == total)) {
                    job.step(stage, done, total);
                    reported = done;
                }
            }
        } catch (IOException e) {
            throw new FileAccessException("cannot read '" + file + "': " + e.getMessage());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The names {@code models download} takes, for messages. */
    static String names() {
        List<String> n = new ArrayList<>();
        for (Model m : MODELS) n.add(m.file());
        return String.join(", ", n);
    }
}
