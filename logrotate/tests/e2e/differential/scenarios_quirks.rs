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
}
