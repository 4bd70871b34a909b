package dev.spur.control;

import dev.spur.common.FunctionKey;
import dev.spur.common.FunctionUrlConfig;

/** Where a function URL points: the function and the URL's settings (qualifier, auth, CORS). */
public record UrlTarget(FunctionKey function, FunctionUrlConfig config) {}
