package dev.lethe.cli;

import dev.lethe.Lethe;
import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"lethe " + Lethe.version()};
    }
}
