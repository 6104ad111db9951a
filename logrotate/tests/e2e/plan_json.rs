//! `--plan-json` output, checked against its published schema `docs/plan-json.schema.json`:
//! the real binary on configs that rotate, skip, fail and warn, with compression, olddir,
//! createolddir and create modes, mail and copytruncate.

mod checker;
use crate::common;

use common::fixture::{code, stderr, Fx};
use serde_json::{json, Value};

fn schema() -> Value {
    let path = common::repo_file("docs/plan-json.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn plan(fx: &Fx, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--plan-json"];
    all.extend_from_slice(args);
    let o = fx.run(&all);
    let doc = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    (code(&o), doc)
}

fn assert_valid(doc: &Value) {
    let errors = checker::errors(&schema(), doc);
    assert!(errors.is_empty(), "{}\n{}", errors.join("\n"), serde_json::to_string_pretty(doc).unwrap());
}

/// The log entry for `name` (a file in the fixture's dir).
fn log<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["sets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["logs"].as_array().unwrap())
        .find(|l| l["path"].as_str().unwrap().ends_with(&format!("/{name}")))
        .unwrap_or_else(|| panic!("no log {name} in {doc}"))
}

/// A config in which each stanza shows one kind of decision or step.
fn mixed() -> Fx {
    let fx = Fx::new();
    fx.write("big.log", "0123456789\n");
    fx.write("big.log.1.gz", "");
    fx.write("big.log.2.gz", "");
    fx.write("today.log", "x\n");
    fx.write("olddir.log", "x\n");
    fx.write("copy.log", "x\n");
    common::mkfifo(&fx.p("fifo.log"));
    let now = chrono::Local::now().naive_local().format("%Y-%-m-%-d-%-H:%-M:%-S");
    fx.write("state", &format!("logrotate state -- version 2\n\"{}/today.log\" {now}\n", fx.d()));
    fx.conf(
        "@D@/big.log {\n size 5\n rotate 2\n compress\n create 0640 root root\n mail ops@example.com\n}\n\
         \n@D@/today.log {\n daily\n}\n\
         @D@/missing.log {\n daily\n}\n\
         @D@/olddir.log {\n size 1\n olddir @D@/old\n createolddir 0750 root root\n rotate 1\n}\n\
         @D@/copy.log {\n size 1\n copytruncate\n dateext\n}\n\
         @D@/fifo.log {\n size 1\n}\n",
    );
    fx
}

#[test]
fn mixed_plan_matches_the_schema() {
    let fx = mixed();
    let (_, doc) = plan(&fx, &[]);
    assert_valid(&doc);
    assert_eq!(doc["version"], 2);
}

#[test]
fn rules_are_file_and_line() {
    let fx = mixed();
    let (_, doc) = plan(&fx, &[]);
    let rules: Vec<(String, u64)> = doc["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["rule"]["file"].as_str().unwrap().to_string(), s["rule"]["line"].as_u64().unwrap()))
        .collect();
    let conf = fx.p("test.conf").display().to_string();
    let lines: Vec<u64> = rules.iter().map(|r| r.1).collect();
    assert_eq!(lines, [1, 9, 12, 15, 21, 26], "{rules:?}");
    assert!(rules.iter().all(|r| r.0 == conf), "{rules:?}");
    assert_eq!(doc["sets"][0]["rule"]["pattern"], format!("{}/big.log ", fx.d()));
}

#[test]
fn rotation_shows_modes_as_octal_strings_and_its_steps() {
    let fx = mixed();
    let (_, doc) = plan(&fx, &[]);
    let big = log(&doc, "big.log");
    assert_eq!(big["decision"], "rotate");
    assert_eq!(big["reasons"], json!(["log size 11 >= size 5"]));
    let r = &big["rotation"];
    assert_eq!(r["method"], "rename");
    assert_eq!(r["create"], json!({"mode": "0640", "owner": "root", "group": "root"}));
    let steps: Vec<&str> = r["prepare"]
        .as_array()
        .unwrap()
        .iter()
        .chain(r["finish"].as_array().unwrap())
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert!(steps.contains(&"rename") && steps.contains(&"compress") && steps.contains(&"mail"), "{r}");
    let old = &log(&doc, "olddir.log")["rotation"];
    assert_eq!(old["prepare"][0]["step"], "createdir", "{old}");
    assert_eq!(old["prepare"][0]["spec"]["mode"], "0750", "{old}");
    assert_eq!(old["rotated"], format!("{}/old/olddir.log.1", fx.d()));
    assert_eq!(log(&doc, "copy.log")["rotation"]["method"], "copytruncate");
}

#[test]
fn skip_error_and_warn_carry_their_reasons() {
    let fx = mixed();
    let (_, doc) = plan(&fx, &[]);
    let today = log(&doc, "today.log");
    assert_eq!(today["decision"], "skip");
    assert!(today["reasons"][0].as_str().unwrap().starts_with("log does not need rotating ("), "{today}");
    assert_eq!(today["new_in_state"], false);
    assert_eq!(today["rotation"], Value::Null);
    let missing = log(&doc, "missing.log");
    assert_eq!(missing["decision"], "error");
    let why = format!("stat of {}/missing.log failed: No such file or directory", fx.d());
    assert_eq!(missing["reasons"], json!([why]));
    assert_eq!(missing["new_in_state"], true);
    assert_eq!(log(&doc, "fifo.log")["decision"], "warn");
}

/// Scripts, sharedscripts, su and shred are in the plan: what runs in which order, what a
/// failure stops, and how archives are removed.
#[test]
fn scripts_su_and_shred_are_steps_of_the_plan() {
    let fx = Fx::new();
    fx.write("a.log", "x\n");
    fx.write("b.log", "x\n");
    fx.write("a.log.1", "");
    fx.write("c.log", "x\n");
    fx.conf(
        "@D@/a.log @D@/b.log {\n size 1\n rotate 1\n shred\n su root root\n sharedscripts\n\
         \n prerotate\n  echo pre\n endscript\n postrotate\n  echo post\n endscript\n}\n\
         @D@/c.log {\n size 1\n firstaction\n  echo first\n endscript\n postrotate\n  echo post\n endscript\n}\n",
    );
    let (_, doc) = plan(&fx, &[]);
    assert_valid(&doc);
    let shared = &doc["sets"][0];
    assert_eq!(shared["su"], json!({"user": "root", "group": "root"}));
    assert_eq!(shared["shared_scripts"], true);
    let (a, b) = (fx.p("a.log").display().to_string(), fx.p("b.log").display().to_string());
    let said: Vec<String> = shared["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {} {}", s["step"], s["log"], s["script"]).replace('"', ""))
        .collect();
    let want = [
        format!("prepare {a} null"),
        format!("prepare {b} null"),
        "script null prerotate".to_string(),
        format!("shift {a} null"),
        format!("shift {b} null"),
        format!("move {a} null"),
        format!("move {b} null"),
        "script null postrotate".to_string(),
        format!("finish {a} null"),
        format!("finish {b} null"),
    ];
    assert_eq!(said, want);
    let pre = &shared["steps"][2];
    assert_eq!(pre["args"], json!([format!("{a} {b}")]), "the pattern, as the script gets it");
    assert_eq!(pre["failure_blocks"], json!({"scope": "set", "log": null}));
    let removed = &log(&doc, "a.log")["rotation"]["finish"];
    assert!(
        removed.as_array().unwrap().iter().any(|s| s["step"] == "remove" && s["shred"] == true),
        "{removed}"
    );
    let own = &doc["sets"][1];
    assert_eq!(own["su"], Value::Null);
    let c = fx.p("c.log").display().to_string();
    assert_eq!(own["steps"][0]["script"], "firstaction");
    assert_eq!(own["steps"][0]["failure_blocks"]["scope"], "firstaction");
    let post = own["steps"].as_array().unwrap().iter().find(|s| s["script"] == "postrotate").unwrap();
    assert_eq!(post["args"], json!([c.clone(), format!("{c}.1")]));
    assert_eq!(post["failure_blocks"], json!({"scope": "log", "log": c}));
}

#[test]
fn forced_plan_matches_the_schema() {
    let fx = mixed();
    let (_, doc) = plan(&fx, &["-f"]);
    assert_valid(&doc);
    assert_eq!(log(&doc, "today.log")["reasons"], json!(["forced from command line"]));
}

#[test]
fn empty_plan_matches_the_schema() {
    let fx = Fx::new();
    fx.conf("@D@/none*.log {\n missingok\n}\n");
    let (code, doc) = plan(&fx, &[]);
    assert_eq!(code, 0);
    assert_valid(&doc);
}

/// The checker (and so the schema) must notice what a consumer would trip on.
#[test]
fn checker_rejects_a_renamed_field_a_decimal_mode_and_a_missing_version() {
    let fx = mixed();
    let (_, doc) = plan(&fx, &[]);
    let root = schema();
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut d = doc.clone();
        edit(&mut d);
        checker::errors(&root, &d)
    };
    let renamed = broken(&|d| {
        let l = d["sets"][0]["logs"][0].as_object_mut().unwrap();
        let v = l.remove("decision").unwrap();
        l.insert("verdict".into(), v);
    });
    assert!(renamed.iter().any(|e| e.contains("missing decision")), "{renamed:?}");
    assert!(renamed.iter().any(|e| e.contains("unexpected property verdict")), "{renamed:?}");
    let decimal = broken(&|d| d["sets"][0]["logs"][0]["rotation"]["create"]["mode"] = json!(416));
    assert!(!decimal.is_empty());
    let unpadded = broken(&|d| d["sets"][0]["logs"][0]["rotation"]["create"]["mode"] = json!("640"));
    assert!(!unpadded.is_empty());
    let versionless = broken(&|d| {
        d.as_object_mut().unwrap().remove("version");
    });
    assert!(versionless.iter().any(|e| e.contains("missing version")), "{versionless:?}");
    let v1 = broken(&|d| d["version"] = json!(1));
    assert!(!v1.is_empty());
    let bad_scope = broken(&|d| d["sets"][0]["steps"][0]["blocked_by"]["scope"] = json!("group"));
    assert!(!bad_scope.is_empty());
    let bad_step = broken(&|d| d["sets"][0]["logs"][0]["rotation"]["finish"][0]["step"] = json!("zip"));
    assert!(!bad_step.is_empty());
    let bad_time = broken(&|d| d["now"] = json!("2026-11-23 03:00"));
    assert!(!bad_time.is_empty());
}

#[test]
fn checker_patterns() {
    let mode = "^0[0-7]{3,4}$";
    for (text, ok) in [("0640", true), ("01777", true), ("640", false), ("0648", false), ("017777", false)] {
        assert_eq!(checker::pattern_matches(mode, text), ok, "{text}");
    }
}

/// The `guard` member: what maxtotalsize would remove after the pass, without the archive the
/// rotation itself disposes of, and it matches the schema.
#[test]
fn guard_removals_match_the_schema_and_leave_out_what_the_sets_remove() {
    let fx = Fx::new();
    fx.write("app.log", "0123456789\n");
    for (i, days) in [(1, 1u64), (2, 2), (3, 3), (4, 4)] {
        let f = fx.write(&format!("app.log.{i}"), &"x".repeat(1000));
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(days * 86400);
        std::fs::File::options().write(true).open(f).unwrap().set_modified(when).unwrap();
    }
    // rotate 3 disposes of app.log.4 (after shifting .3 to .4): the guard sees .1, .2, .3 (3000
    // bytes) against 2500, and removes the oldest, .3.
    fx.conf("@D@/app.log {\n size 1\n rotate 3\n maxtotalsize 2500\n}\n");
    let (code, doc) = plan(&fx, &[]);
    assert_eq!(code, 0);
    assert_valid(&doc);
    let removals = doc["guard"]["removals"].as_array().unwrap();
    let paths: Vec<&str> = removals.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths, [format!("{}/app.log.3", fx.d())]);
    assert_eq!(
        removals[0]["reason"],
        json!({"directive": "maxtotalsize", "log": format!("{}/app.log", fx.d()), "total": 3000, "max": 2500})
    );
    // No guard member without the directives.
    fx.conf("@D@/app.log {\n size 1\n rotate 3\n}\n");
    let (_, doc) = plan(&fx, &[]);
    assert!(doc.get("guard").is_none(), "{doc}");
}
