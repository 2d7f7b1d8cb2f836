package dev.lethe.cli;

/** A setting is missing or wrong; the message names the flag and its environment variable. */
final class SettingException extends RuntimeException {
    SettingException(String message) {
        super(message);
    }
}
