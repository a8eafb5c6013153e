/**
 * Inpainterz: remove objects from videos. The public API is {@code io.inpainterz.engine} and the
 * exception types in {@code io.inpainterz}; the bindings ({@code nativeapi}) stay inside. Start
 * the JVM with {@code --enable-native-access=io.inpainterz}.
 */
module io.inpainterz {
    requires java.desktop; // PNG writing of masks (javax.imageio)
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires me.tongfei.progressbar;
    requires java.net.http; // models download
    requires io.javalin;      // inpainterz serve: the HTTP server (Jetty inside)
    requires jakarta.servlet; // multipart uploads
    requires java.logging;

    exports io.inpainterz;
    exports io.inpainterz.engine;
    exports io.inpainterz.pipeline;

    opens io.inpainterz.cli to info.picocli, com.fasterxml.jackson.databind;
    opens io.inpainterz.parity to com.fasterxml.jackson.databind;
}
