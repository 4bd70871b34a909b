package dev.spur.runtimeapi;

import java.io.IOException;
import java.util.Optional;

/**
 * The body of a streamed response ({@code Lambda-Runtime-Function-Response-Mode: streaming}) as it
 * arrives from the runtime: read it piece by piece on the connection's thread; after the end, its
 * trailers say whether the function failed mid-stream.
 *
 * <p>Failure semantics: {@link #read} throws {@link IOException} when the connection breaks inside
 * the body (the runtime died or closed it); what was read before has been passed on and cannot be
 * taken back.
 */
public interface StreamedBody {

    /** Lambda's trailer naming a mid-stream error's type. */
    String ERROR_TYPE_TRAILER = "Lambda-Runtime-Function-Error-Type";
    /** Lambda's trailer holding a mid-stream error's body, base64-encoded. */
    String ERROR_BODY_TRAILER = "Lambda-Runtime-Function-Error-Body";

    /** The {@code Content-Type} the runtime declared, if any. */
    Optional<String> contentType();

    /**
     * Reads at most {@code length} bytes into {@code buffer}, blocking until at least one arrives.
     *
     * @return how many were read, or -1 at the end of the body
     */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /** A trailer field's value once {@link #read} has returned -1 (names ignore case); empty before, or if absent. */
    Optional<String> trailer(String name);
}
