package dev.spur.common;

/**
 * Checks a function that a trigger or a route will invoke, when the trigger or route is created or
 * changed: the function as the caller named it (name or ARN, maybe with a qualifier) and the
 * qualifier given separately, resolved to the function's name and the qualifier to invoke.
 * Implementations throw a 404 {@link LambdaException} if there is no such function, version or alias.
 */
@FunctionalInterface
public interface FunctionTargets {
    Target resolve(Caller caller, String function, String qualifier);

    /** A checked target: a function of the caller's account and region, and "" or a qualifier. */
    record Target(String functionName, String qualifier) {}
}
