package dev.lethe.notices;

import dev.lethe.registry.Policy;
import java.util.Objects;

/**
 * Prints Lethe's public notices from the policy in force (promise 5 in the README: notices cannot
 * drift). Each notice is built once as a {@link Notice} document and then rendered, so its
 * Markdown, HTML and JSON cannot disagree.
 */
public final class Notices {

    private final RetentionNotice retention = new RetentionNotice();
    private final SubprocessorNotice subprocessors = new SubprocessorNotice();
    private final CategoryNotice categories = new CategoryNotice();
    private final CookieNotice cookies = new CookieNotice();
    private final NoticeRenderer markdown = new MarkdownRenderer();
    private final NoticeRenderer html = new HtmlRenderer();
    private final NoticeRenderer json = new JsonRenderer();

    /** The notice of {@code kind} for {@code policy}, in {@code format}. */
    public String render(Policy policy, NoticeKind kind, NoticeFormat format, NoticeContext ctx) {
        Objects.requireNonNull(format, "format");
        Notice notice = build(policy, kind, ctx);
        return switch (format) {
            case MARKDOWN -> markdown.render(notice);
            case HTML -> html.render(notice);
            case JSON -> json.render(notice);
        };
    }

    /** The notice of {@code kind} for {@code policy} as a document, before it is printed. */
    public Notice build(Policy policy, NoticeKind kind, NoticeContext ctx) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(kind, "kind");
        Preamble preamble = Preamble.of(policy, Objects.requireNonNull(ctx, "ctx"));
        return switch (kind) {
            case RETENTION -> retention.build(policy, preamble);
            case SUBPROCESSORS -> subprocessors.build(policy, preamble);
            case CATEGORIES -> categories.build(policy, preamble);
            case COOKIES -> cookies.build(policy, preamble);
        };
    }
}
