//! The README's command tables are generated from the command table; this test keeps them
//! true. After adding commands run `FERRODIS_BLESS=1 cargo test --test readme` to regenerate.

const BEGIN: &str = "<!-- commands:begin -->";
const END: &str = "<!-- commands:end -->";

#[test]
fn readme_lists_every_command() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (head, rest) = readme.split_once(BEGIN).expect("README has the commands:begin marker");
    let (current, tail) = rest.split_once(END).expect("README has the commands:end marker");
    let fresh = ferrodis::cmd::markdown_tables();
    if current != fresh {
        if std::env::var("FERRODIS_BLESS").as_deref() == Ok("1") {
            std::fs::write(path, format!("{head}{BEGIN}{fresh}{END}{tail}")).unwrap();
        } else {
            panic!(
                "README command tables are stale: run FERRODIS_BLESS=1 cargo test --test readme"
            );
        }
    }
}
