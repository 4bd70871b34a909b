package dev.spur.store;

import dev.spur.common.Schedule;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Schedules as stored, one document each, keyed by account, region and name. Failure semantics as
 * {@link FunctionStore}: one transaction per call, recorded in the {@link ChangeFeed}.
 */
public interface ScheduleStore {

    /**
     * Stores a schedule: a new one ({@code create}: 409 ResourceConflictException if the name is
     * taken in its account and region) or a replacement (404 if it is gone).
     */
    void putSchedule(Schedule schedule, boolean create);

    boolean deleteSchedule(String account, String region, String name);

    /** An account's schedules in a region, ordered by name. */
    List<Schedule> schedules(String account, String region);

    List<Schedule> allSchedules();

    Optional<Schedule> findSchedule(String account, String region, String name);

    /**
     * Records that a schedule fired for the time {@code fire}: its stored {@code lastFire} moves forward to
     * it, the rest of the stored document stays as it is (a change made meanwhile, on any node, is kept).
     *
     * @return false, writing nothing, if the schedule is gone or its {@code lastFire} is already at or after
     *         {@code fire} (another node recorded that fire or a later one, or the timetable changed since)
     */
    boolean recordFire(String account, String region, String name, Instant fire);
}
