package dev.handover.customer.service;

import java.time.Duration;

/** "5 minutes ago": how long a customer has waited, in words an agent reads at a glance. */
public final class TimeAgo {

    private TimeAgo() {
    }

    public static String format(Duration elapsed) {
        long minutes = Math.max(0, elapsed.toMinutes());
        if (minutes < 1) {
            return "just now";
        }
        if (minutes < 60) {
            return plural(minutes, "minute");
        }
        long hours = minutes / 60;
        if (hours < 24) {
            return plural(hours, "hour");
        }
        long days = hours / 24;
        if (days < 30) {
            return plural(days, "day");
        }
        long months = days / 30;
        return months < 12 ? plural(months, "month") : plural(days / 365, "year");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s") + " ago";
    }
}
