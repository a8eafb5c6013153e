package io.inpainterz.cli;

import io.inpainterz.CancelledException;
import io.inpainterz.FileAccessException;
import io.inpainterz.InpainterzException;
import io.inpainterz.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code models}: the catalogue's files in ckpt/, present and valid or not; {@code models download}: fetch and verify them. */
@Command(name = "models", sortOptions = false, subcommands = ModelsCommand.Download.class, description = {
        "The official model files in ckpt/: present and valid, invalid or missing; size, how each is verified (SHA-256 or structure), licence.",
        "Exit 1 when a file is there but invalid."})
final class ModelsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--dir", paramLabel = "DIR", description = "the model folder (default: ckpt/ of the installation)")
    Path dir;

    @Option(names = "--json", description = "one JSON object")
    boolean json;

    @Mixin
    ProgressOptions progress;

    static Path folder(Path given) {
        return given != null ? given : Path.of(System.getProperty("inpainterz.home", "."), "ckpt");
    }

    @Override
    public Integer call() throws Exception {
        Path d = folder(dir);
        List<Map<String, Object>> rows = progress.run(main.err(), "verify", job -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (ModelCatalog.Model m : ModelCatalog.MODELS) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("file", m.file());
                r.put("model", m.title());
                r.put("default", m.isDefault());
                Path f = d.resolve(m.file());
                if (Files.isRegularFile(f)) {
                    try {
                        ModelCatalog.Verified v = ModelCatalog.verify(m, f, job);
                        r.put("status", "ok");
                        r.put("bytes", v.bytes());
                        r.put("sha256", v.sha256());
                    } catch (InpainterzException e) {
                        if (e instanceof CancelledException) throw e;
                        r.put("status", "invalid");
                        r.put("bytes", size(f));
                        r.put("message", e.getMessage());
                    }
                } else {
                    r.put("status", "missing");
                    Path part = d.resolve(ModelCatalog.source(m, ModelCatalog::config).name() + ".part");
                    r.put("bytes", Files.isRegularFile(part) ? size(part) : null);
                    if (Files.isRegularFile(part)) r.put("message", "partial download " + part.getFileName() + ": models download resumes it");
                }
                r.put("verified", m.verifiedBy());
                r.put("licence", m.licence());
                out.add(r);
            }
            return out;
        });
        if (json) {
            main.out().println(Json.write(Map.of("dir", d.toString(), "models", rows)));
        } else {
            main.out().println("models in " + d + " (inpainterz models download [NAME...] fetches them; * = remove's default)");
            main.out().printf("%-28s %-8s %11s  %-20s %s%n", "file", "status", "size", "verified by", "licence");
            for (Map<String, Object> r : rows) {
                Object b = r.get("bytes");
                main.out().printf("%-28s %-8s %11s  %-20s %s%n", r.get("file") + ((Boolean) r.get("default") ? " *" : ""), r.get("status"),
                        b == null ? "-" : String.format("%.1f MiB", (Long) b / 1048576.0), r.get("verified"), r.get("licence"));
                if (r.get("message") != null) main.out().println("    " + r.get("message"));
            }
        }
        return rows.stream().anyMatch(r -> r.get("status").equals("invalid")) ? Main.CHECK_FAILED : Main.OK;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return -1;
        }
    }

    @Command(name = "download", sortOptions = false, description = {
            "Fetch official model files into ckpt/ (default: remove's defaults, SAM ViT-B, R50-DeAOT-L and E2FGVI; all: every one), "
                    + "with resume (NAME.part) and Google Drive's confirmation step, and verify them: the published SHA-256, or the structure "
                    + "(family, variant, every key and shape) where none is published. Only a verified file gets its name; a bad one is removed (exit 3).",
            "A mirror: INPAINTERZ_MODELS_URL=URL fetches every file as URL/FILE; INPAINTERZ_DRIVE_URL replaces Google Drive's host."})
    static final class Download implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME", arity = "0..*", description = "file names (sam_vit_h_4b8939.pth; .pth may be left out), or all")
        List<String> names;

        @Option(names = "--dir", paramLabel = "DIR", description = "the model folder (default: ckpt/ of the installation)")
        Path dir;

        @Mixin
        ProgressOptions progress;

        @Override
        public Integer call() throws Exception {
            Main main = parent.main;
            Set<ModelCatalog.Model> wanted = new LinkedHashSet<>();
            if (names == null || names.isEmpty()) ModelCatalog.MODELS.stream().filter(ModelCatalog.Model::isDefault).forEach(wanted::add);
            else for (String n : names) {
                if (n.equalsIgnoreCase("all")) wanted.addAll(ModelCatalog.MODELS);
                else wanted.add(ModelCatalog.find(n).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                        "no model named '" + n + "'; the names are: all, " + ModelCatalog.names())));
            }
            Path d = folder(dir != null ? dir : parent.dir);
            try {
                Files.createDirectories(d);
            } catch (IOException e) {
                throw new FileAccessException("cannot create the model folder '" + d + "': " + e.getMessage());
            }
            ModelDownload download = ModelDownload.defaults();
            int worst = Main.OK;
            for (ModelCatalog.Model m : wanted) {
                try {
                    Map<String, Object> r = progress.run(main.err(), "download " + m.file(), job -> get(m, d, download, job, main));
                    main.out().println(Json.write(r));
                } catch (UncheckedIOException e) {
                    main.err().println("inpainterz: " + m.file() + ": " + e.getCause().getMessage());
                    worst = Math.max(worst, Main.PROCESSING_FAILED);
                } catch (InpainterzException e) {
                    if (e instanceof CancelledException) throw e;
                    main.err().println("inpainterz: " + e.getMessage());
                    worst = Math.max(worst, Main.BAD_INPUT);
                }
            }
            return worst;
        }

        /** The model in {@code d}: verified where it is, else downloaded; its JSON line. */
        private static Map<String, Object> get(ModelCatalog.Model m, Path d, ModelDownload download, io.inpainterz.engine.Job job, Main main) {
            Path target = d.resolve(m.file());
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("file", target.toString());
            ModelCatalog.Verified v;
            if (Files.isRegularFile(target) && (v = verifiedOrNull(m, target, job, main)) != null) {
                r.put("status", "present");
            } else {
                ModelCatalog.Source s = ModelCatalog.source(m, ModelCatalog::config);
                main.err().println("inpainterz: fetching " + m.file() + " (" + m.title() + ", " + m.licence() + ") from " + s.uri());
                try {
                    v = download.fetch(m, s, d, job);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancelledException("interrupted while downloading " + m.file());
                }
                r.put("status", "downloaded");
            }
            r.put("bytes", v.bytes());
            r.put("verified", v.by());
            r.put("sha256", v.sha256());
            return r;
        }

        /** An existing file's verification, or null (with a note) when it is bad and is to be replaced. */
        private static ModelCatalog.Verified verifiedOrNull(ModelCatalog.Model m, Path f, io.inpainterz.engine.Job job, Main main) {
            try {
                return ModelCatalog.verify(m, f, job);
            } catch (InpainterzException e) {
                if (e instanceof CancelledException) throw e;
                main.err().println("inpainterz: " + e.getMessage() + "; downloading it again (the file stays until a good one replaces it)");
                return null;
            }
        }
    }
}
