package dev.spur.pools;

/**
 * One account's concurrency as the pools enforce it now (what GetAccountSettings reports).
 *
 * @param limit         concurrent invocations allowed for the account
 * @param reservedTotal the sum of its functions' reserved concurrency
 * @param unreserved    {@code limit - reservedTotal}: what functions without a reservation share
 *                      (negative if reservations were allowed past the limit)
 * @param inFlight      every invocation of the account running now, reserved or not
 */
public record AccountConcurrency(int limit, int reservedTotal, int unreserved, int inFlight) {}
