//! The fixture of the CLI tests: a temp dir, a config with `@D@` for that dir, and runs of the
//! real binary with `-s DIR/state`.

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Output;

pub struct Fx {
    pub dir: tempfile::TempDir,
}

impl Fx {
    pub fn new() -> Fx {
        Fx { dir: tempfile::tempdir().unwrap() }
    }
    pub fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    pub fn d(&self) -> String {
        self.dir.path().display().to_string()
    }
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.p(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&p, text).unwrap();
        p
    }
    /// Writes the config (with `@D@` replaced by the temp dir) and returns its path.
    pub fn conf(&self, text: &str) -> PathBuf {
        let p = self.write("test.conf", &text.replace("@D@", &self.d()));
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        p
    }
    pub fn run(&self, args: &[&str]) -> Output {
        let state = self.p("state");
        let out =
            super::logrotate().arg("-s").arg(&state).args(args).arg(self.p("test.conf")).output().unwrap();
        eprintln!("stderr: {}", String::from_utf8_lossy(&out.stderr));
        out
    }
    pub fn exists(&self, rel: &str) -> bool {
        fs::symlink_metadata(self.p(rel)).is_ok()
    }
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.p(rel)).unwrap()
    }
    pub fn gunzip(&self, rel: &str) -> String {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(fs::File::open(self.p(rel)).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        s
    }
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn is_root() -> bool {
    unsafe { libc::getuid() == 0 }
}
