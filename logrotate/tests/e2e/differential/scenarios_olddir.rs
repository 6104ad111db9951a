//! `olddir` checked when the config is loaded, as 3.21 does at the end of each stanza
//! (issue 8): a missing olddir abandons the rest of its config file, `createolddir` creates
//! missing parents, and a log directory that does not exist is an error without `missingok`.

use super::harness::Scenario;

/// A stanza that rotates, read before the one under test: the file's closed stanzas are kept.
const FIRST: &str = "@D@/first.log {\n    rotate 1\n}\n";
/// A stanza read after the one under test: never read when the file is abandoned.
const LAST: &str = "@D@/last.log {\n    rotate 1\n}\n";

fn around(stanza: &str) -> String {
    format!("{FIRST}{stanza}{LAST}")
}

scenarios! {
    /// Missing olddir: the stanza, and the rest of the file, get no rotation and no state entry.
    diff_olddir_missing_abandons_the_rest_of_the_file: Scenario::new(&around(
        "@D@/app.log {\n    rotate 1\n    olddir old\n}\n",
    ))
    .file("first.log", "first\n")
    .file("app.log", "app\n")
    .file("last.log", "last\n")
    .run(&["-f"]);

    /// The same on every run: the next day it is still reported, still nothing rotates.
    diff_olddir_missing_is_reported_on_every_run: Scenario::new(&around(
        "@D@/app.log {\n    daily\n    rotate 1\n    olddir old\n}\n",
    ))
    .file("first.log", "first\n")
    .file("app.log", "app\n")
    .file("last.log", "last\n")
    .run(&["-f"])
    .travel(1)
    .append("first.log", "more\n")
    .run(&["-f"]);

    /// A failed included file leaves the including file going on (3.21's `include`).
    diff_olddir_missing_in_an_included_file: Scenario::new(
        "include @R@/inc.conf\n@D@/after.log {\n    rotate 1\n}\n",
    )
    .root_file("inc.conf", &around("@D@/app.log {\n    rotate 1\n    olddir old\n}\n"))
    .file("first.log", "first\n")
    .file("app.log", "app\n")
    .file("last.log", "last\n")
    .file("after.log", "after\n")
    .run(&["-f"]);

    /// A glob with no match stands for itself: its directory exists, the olddir does not.
    diff_olddir_missing_for_a_glob_without_match: Scenario::new(&around(
        "@D@/*.nomatch {\n    rotate 1\n    olddir old\n}\n",
    ))
    .file("first.log", "first\n")
    .file("last.log", "last\n")
    .run(&["-f"]);

    /// The log's directory does not exist: an error without `missingok`...
    diff_olddir_log_directory_missing: Scenario::new(&around(
        "@R@/nodir/*.log {\n    rotate 1\n    olddir old\n}\n",
    ))
    .file("first.log", "first\n")
    .file("last.log", "last\n")
    .run(&["-f"]);

    /// ... and nothing to say with it: the rest of the file rotates.
    diff_olddir_log_directory_missing_missingok: Scenario::new(&around(
        "@R@/nodir/*.log {\n    missingok\n    rotate 1\n    olddir old\n}\n",
    ))
    .file("first.log", "first\n")
    .file("last.log", "last\n")
    .run(&["-f"]);

    /// `createolddir` makes every missing parent, each with its mode.
    diff_createolddir_makes_missing_parents: Scenario::new(&around(
        "@D@/app.log {\n    rotate 1\n    olddir x/y/old\n    createolddir 0700\n}\n",
    ))
    .file("first.log", "first\n")
    .file("app.log", "app\n")
    .file("last.log", "last\n")
    .run(&["-f"]);

    /// An absolute nested olddir, created although the log is not due (at load time).
    diff_createolddir_absolute_created_at_load_even_when_nothing_is_due: Scenario::new(
        "@D@/app.log {\n    size 1M\n    rotate 1\n    olddir @R@/arch/a/b\n    createolddir 0750\n}\n",
    )
    .file("app.log", "app\n")
    .run(&[]);

    /// A dangling symlink at the olddir: not followed, the file is abandoned.
    diff_createolddir_dangling_symlink_is_not_followed: Scenario::new(&around(
        "@D@/app.log {\n    rotate 1\n    olddir old\n    createolddir\n}\n",
    ))
    .symlink("old", "@R@/nowhere")
    .file("first.log", "first\n")
    .file("app.log", "app\n")
    .file("last.log", "last\n")
    .run(&["-f"]);

    /// A file on the way to the olddir: `Not a directory`, not created.
    diff_createolddir_file_on_the_way: Scenario::new(&around(
        "@D@/app.log {\n    rotate 1\n    olddir block/old\n    createolddir\n}\n",
    ))
    .file("block", "")
    .file("first.log", "first\n")
    .file("app.log", "app\n")
    .file("last.log", "last\n")
    .run(&["-f"]);

    /// An olddir on another filesystem (`/proc`) without a copy method.
    diff_olddir_on_another_device: Scenario::new(&around(
        "@D@/app.log {\n    rotate 1\n    olddir /proc\n}\n",
    ))
    .file("first.log", "first\n")
    .file("app.log", "app\n")
    .file("last.log", "last\n")
    .run(&["-f"]);
}
