package io.inpainterz;

/** The compute device failed or ran out of memory. */
public final class DeviceException extends InpainterzException {
    public DeviceException(String message) {
        super(Status.DEVICE, message);
    }
}
