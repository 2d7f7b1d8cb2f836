package dev.lethe.registry;

import dev.lethe.errors.FieldError;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * The YAML features a policy has no use for, each refused at its path: anchors ({@code &name}),
 * aliases ({@code *name}), tags ({@code !!str}, {@code !custom}) and merge keys ({@code <<}). The
 * tree reader would take an alias for the text of its anchor's name ({@code address: *n} read as
 * "n") and ignore the rest; a policy is read as written or not at all.
 */
final class YamlFeatures {

    private YamlFeatures() {}

    /** Where a node stands: in a mapping (a key or a value next) or a sequence (its next index). */
    private static final class Frame {
        final String path;
        final boolean mapping;
        boolean keyNext = true;
        String key = "?";
        int index;

        Frame(String path, boolean mapping) {
            this.path = path;
            this.mapping = mapping;
        }
    }

    /** One error per use of a feature; empty when there is none or the text is not YAML at all. */
    static List<FieldError> refused(String text) {
        var errors = new ArrayList<FieldError>();
        var options = new LoaderOptions();
        options.setCodePointLimit(Integer.MAX_VALUE);
        Deque<Frame> open = new ArrayDeque<>();
        try {
            for (Event e : new Yaml(options).parse(new StringReader(text))) {
                if (e instanceof CollectionEndEvent) {
                    open.pop();
                } else if (e instanceof NodeEvent node) {
                    boolean isKey = !open.isEmpty() && open.peek().mapping && open.peek().keyNext;
                    String path = place(open, e);
                    check(node, path, isKey, errors);
                    if (e instanceof CollectionStartEvent) open.push(new Frame(path, e instanceof MappingStartEvent));
                }
            }
        } catch (YAMLException e) {
            // not YAML: the tree reader reports where and why
        }
        return errors;
    }

    /** The path of the node that starts with this event, moving its parent on. */
    private static String place(Deque<Frame> open, Event e) {
        Frame parent = open.peek();
        if (parent == null) return "";
        if (!parent.mapping) return parent.path + "[" + parent.index++ + "]";
        if (parent.keyNext) {
            parent.keyNext = false;
            parent.key = e instanceof ScalarEvent s ? s.getValue() : "?";
        } else {
            parent.keyNext = true;
        }
        return parent.path.isEmpty() ? parent.key : parent.path + "." + parent.key;
    }

    private static void check(NodeEvent node, String path, boolean isKey, List<FieldError> errors) {
        if (node instanceof AliasEvent) {
            errors.add(new FieldError(path, "a YAML alias (*name) is not read in a policy: write the value out here"));
            return;
        }
        if (node.getAnchor() != null) {
            errors.add(new FieldError(
                    path, "a YAML anchor (&name) is not read in a policy: write the value out where it is used"));
        }
        String tag =
                node instanceof ScalarEvent s ? s.getTag() : node instanceof CollectionStartEvent c ? c.getTag() : null;
        if (tag != null) {
            errors.add(
                    new FieldError(path, "a YAML tag (such as !!str) is not read in a policy: write the plain value"));
        }
        if (isKey && node instanceof ScalarEvent s && s.getValue().equals("<<") && s.isPlain()) {
            errors.add(new FieldError(path, "a YAML merge key (<<) is not read in a policy: write the keys out here"));
        }
    }
}
