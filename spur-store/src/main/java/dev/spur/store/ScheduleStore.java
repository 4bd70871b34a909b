package dev.spur.store;

import dev.spur.common.Schedule;
import java.util.List;

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
}
