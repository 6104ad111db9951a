//! The classic parser's 3.21 behaviours, seen through what rotates: error recovery, the rest
//! of a directive line, the compression extension, the move method and `dateformat`.

use super::harness::Scenario;

scenarios! {
    /// An error outside a stanza abandons the rest of the file; the stanza closed before it
    /// still rotates.
    diff_parser_error_outside_stanza_abandons_rest_of_file:
        Scenario::new("@D@/a.log {\n    rotate 1\n}\nrotate x\n@D@/b.log {\n    rotate 1\n}\n")
            .file("a.log", "a\n")
            .file("b.log", "b\n")
            .run(&["-f"]);

    /// A file with an error leaves the global options as they were before it: the stanza
    /// after the include is not compressed, the one inside it is.
    diff_parser_failed_include_reverts_globals:
        Scenario::new("include @R@/bad.conf\n@D@/b.log {\n}\n")
            .root_file("bad.conf", "compress\nrotate 2\n@D@/a.log {\n}\nbogus! line\n")
            .file("a.log", "a\n")
            .file("b.log", "b\n")
            .run(&["-f"]);

    /// A comment after a value is part of it: the stanza is dropped; a flag line may hold more
    /// flags.
    diff_parser_rest_of_line:
        Scenario::new("@D@/a.log {\n    rotate 1 # note\n}\n@D@/b.log {\n    rotate 1\n    nocreate compress\n}\n")
            .file("a.log", "a\n")
            .file("b.log", "b\n")
            .run(&["-f"]);

    /// `compresscmd` sets the extension from 3.21's table, over an earlier `compressext`.
    diff_parser_compresscmd_overrides_compressext:
        Scenario::new("@D@/a.log {\n    rotate 1\n    compress\n    compressext .foo\n    compresscmd /bin/gzip\n}\n")
            .file("a.log", "a\n")
            .run(&["-f"]);

    /// A global `copytruncate` is cancelled by a stanza's `renamecopy`.
    diff_parser_stanza_renamecopy_beats_global_copytruncate:
        Scenario::new("copytruncate\n@D@/a.log {\n    rotate 1\n    renamecopy\n}\n")
            .file("a.log", "a\n")
            .run(&["-f"]);

    /// `copy` then `copytruncate`: the log is truncated.
    diff_parser_copy_and_copytruncate:
        Scenario::new("@D@/a.log {\n    rotate 1\n    copytruncate\n    copy\n}\n")
            .file("a.log", "a\n")
            .run(&["-f"]);

    /// A `%` that is not one of 3.21's specifiers is written literally.
    diff_parser_dateformat_other_specifier_literal:
        Scenario::new("@D@/a.log {\n    rotate 2\n    dateext\n    dateformat -%Y%j\n}\n")
            .file("a.log", "a\n")
            .run(&["-f"]);

    /// `maxage` out of `int` range is a bad value: the stanza is dropped.
    diff_parser_maxage_out_of_range:
        Scenario::new("@D@/a.log {\n    rotate 1\n    maxage 200000000000\n}\n@D@/b.log {\n    rotate 1\n}\n")
            .file("a.log", "a\n")
            .file("b.log", "b\n")
            .run(&["-f"]);
}
