fn main() {
    println!("cargo:rerun-if-changed=src/util/longdouble.c");
    cc::Build::new().file("src/util/longdouble.c").warnings(true).compile("ferrodis_longdouble");
}
