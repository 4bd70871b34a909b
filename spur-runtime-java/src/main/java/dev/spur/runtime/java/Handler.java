package dev.spur.runtime.java;

import com.amazonaws.services.lambda.runtime.Context;

/** A loaded user handler, whatever its form: event bytes in, result bytes out. */
interface Handler {
    byte[] NULL = {'n', 'u', 'l', 'l'};

    /**
     * Runs the user's code for one event.
     *
     * @return the bytes to post as the result ({@link #NULL} for handlers that produce nothing)
     * @throws Throwable whatever the user's code threw, unwrapped from reflection
     */
    byte[] handle(byte[] event, Context context) throws Throwable;
}
