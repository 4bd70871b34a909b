package dev.spur.runtime.java;

/** The handler could not be loaded; reported to {@code /runtime/init/error}, after which the runtime exits. */
final class InitFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient ErrorReport report;

    InitFailure(ErrorReport report) {
        super(report.errorMessage(), null, false, false);
        this.report = report;
    }

    ErrorReport report() {
        return report;
    }
}
