//! POSIX ACLs follow the log as in Debian's logrotate 3.21 (built with ACL support): a `create`d
//! log without a mode, a copy and a compressed archive all get the old log's access ACL. The ACL
//! is set as the raw `system.posix_acl_access` attribute, so no `setfacl` is needed.

use crate::common;

use common::fixture::{code, stderr, Fx};
use std::ffi::CString;
use std::path::Path;

const XATTR: &str = "system.posix_acl_access";

/// `user::rw- user:nobody:rw- group::r-- mask::rw- other::r--` in the kernel's xattr format.
fn acl_blob() -> Vec<u8> {
    let mut b = 2u32.to_le_bytes().to_vec();
    for (tag, perm, id) in [
        (0x01u16, 6u16, u32::MAX),
        (0x02, 6, 65534),
        (0x04, 4, u32::MAX),
        (0x10, 6, u32::MAX),
        (0x20, 4, u32::MAX),
    ] {
        b.extend(tag.to_le_bytes());
        b.extend(perm.to_le_bytes());
        b.extend(id.to_le_bytes());
    }
    b
}

fn set_acl(p: &Path) -> bool {
    let (path, name) = (CString::new(p.to_str().unwrap()).unwrap(), CString::new(XATTR).unwrap());
    let blob = acl_blob();
    // SAFETY: valid C strings and buffer.
    unsafe { libc::setxattr(path.as_ptr(), name.as_ptr(), blob.as_ptr().cast(), blob.len(), 0) == 0 }
}

fn acl(p: &Path) -> Option<Vec<u8>> {
    let (path, name) = (CString::new(p.to_str().unwrap()).unwrap(), CString::new(XATTR).unwrap());
    let mut buf = vec![0u8; 1024];
    // SAFETY: valid C strings and buffer.
    let n = unsafe { libc::getxattr(path.as_ptr(), name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    // A negative length is an error.
    usize::try_from(n).ok().map(|n| buf[..n].to_vec())
}

#[test]
fn acl_follows_the_log_into_the_new_log_copies_and_archives() {
    let fx = Fx::new();
    fx.write("app.log", "one\n");
    fx.write("copied.log", "two\n");
    if !set_acl(&fx.p("app.log")) || !set_acl(&fx.p("copied.log")) {
        assert!(std::env::var_os("CI").is_none(), "the CI filesystem must support ACLs");
        eprintln!("skipped: no ACL support here");
        return;
    }
    fx.conf(
        "@D@/app.log {\n rotate 2\n create\n compress\n}\n@D@/copied.log {\n rotate 2\n copytruncate\n}\n",
    );
    let o = fx.run(&["-f"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let want = Some(acl_blob());
    assert_eq!(acl(&fx.p("app.log")), want, "the new log");
    assert_eq!(acl(&fx.p("app.log.1.gz")), want, "the compressed archive");
    assert_eq!(acl(&fx.p("copied.log.1")), want, "the copy");
    // With a mode, `create` sets that mode and no ACL (as 3.21).
    fx.write("app.log", "three\n");
    set_acl(&fx.p("app.log"));
    fx.conf("@D@/app.log {\n rotate 2\n create 0600\n}\n");
    assert_eq!(code(&fx.run(&["-f"])), 0);
    assert_eq!(acl(&fx.p("app.log")), None);
}
