// `sqlx::migrate!` embeds the migrations folders at compile time, but cargo does not know the
// macro read them: without this, a new migration file is left out of an incremental build.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
