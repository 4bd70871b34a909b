package dev.spur.edge;

/**
 * One API on Spur's HTTP port — Lambda's function resource, its release operations, Invoke, Spur's
 * own {@code /spur/v1} resources — adding its routes to the {@link Router}. {@link EdgeServer} lists
 * them; a new API is one more entry in that list.
 */
@FunctionalInterface
interface EdgeApi {
    void register(Router router);
}
