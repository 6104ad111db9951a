//! 3.21 behaviours found by the generative differential test (gen_differential.rs).

use super::harness::Scenario;

scenarios! {
    /// `maxsize 0` is no maxsize at all (3.21 tests `log->maxsize && ...`).
    diff_maxsize_zero_is_unset: Scenario::new("@D@/app.log {\n    daily\n    maxsize 0\n    rotate 1\n}\n")
        .file("app.log", "some text\n")
        .run_unchanged(&[]);

    /// A global `addextension` does not reach the stanzas (3.21 does not copy it from the
    /// defaults); inside a stanza it applies.
    diff_global_addextension_is_not_inherited: Scenario::new(
        "addextension .log\n@D@/app.log {\n    rotate 2\n}\n@D@/b.log {\n    rotate 2\n    addextension .log\n}\n",
    )
    .file("app.log", "a\n")
    .file("b.log", "b\n")
    .run(&["-f"]);

    /// glob(3) matches case-sensitively, and no wildcard matches a leading `.`, not even a `*`
    /// that matches nothing: `*.log` is neither `B.LOG` nor `.log` (the glob crate's defaults
    /// say yes to both).
    diff_glob_is_case_sensitive_and_skips_leading_dots: Scenario::new("@D@/*.log {\n    rotate 1\n}\n")
        .file("a.log", "a\n")
        .file("B.LOG", "b\n")
        .file(".log", "c\n")
        .file(".x.log", "d\n")
        .run(&["-f"]);

    /// The taboo patterns too (`fnmatch` with `FNM_PERIOD`): `*.bak` ignores `x.bak`, not
    /// `X.BAK` nor `.bak`.
    diff_taboo_is_case_sensitive_and_skips_leading_dots: Scenario::new("include @R@/conf.d\n")
        .root_file("conf.d/x.bak", "@D@/x.log {\n    rotate 1\n}\n")
        .root_file("conf.d/X.BAK", "@D@/y.log {\n    rotate 1\n}\n")
        .root_file("conf.d/.bak", "@D@/z.log {\n    rotate 1\n}\n")
        .file("x.log", "x\n")
        .file("y.log", "y\n")
        .file("z.log", "z\n")
        .run(&["-f"]);
}
