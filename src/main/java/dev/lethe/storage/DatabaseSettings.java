package dev.lethe.storage;

/** Where the database is and how to reach it. A null user or password means "from the URL". */
public record DatabaseSettings(String url, String user, String password, int poolSize) {

    public DatabaseSettings {
        if (url == null || url.isBlank()) throw new IllegalArgumentException("database URL is empty");
        if (poolSize < 1) throw new IllegalArgumentException("pool size must be at least 1");
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
}
