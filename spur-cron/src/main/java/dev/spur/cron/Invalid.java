package dev.spur.cron;

/** The one shape of every parse error: the expression as given, then what is wrong with it. */
final class Invalid {

    private Invalid() {}

    static IllegalArgumentException expression(String text, String problem) {
        return new IllegalArgumentException("Invalid schedule expression '" + text + "': " + problem);
    }
}
