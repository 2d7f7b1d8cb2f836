package dev.lethe.notices;

/** Prints a notice's document in one format. */
interface NoticeRenderer {

    String render(Notice notice);
}
