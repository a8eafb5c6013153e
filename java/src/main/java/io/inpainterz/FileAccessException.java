package io.inpainterz;

/** A file is missing, a directory, unreadable or unwritable. */
public final class FileAccessException extends InpainterzException {
    public FileAccessException(String message) {
        super(Status.IO, message);
    }
}
