//! Rebuilds this crate when a migration is added: `embed_migrations!`
//! reads the migration folders at compile time, and cargo does not know
//! that a new folder there changes the crate (diesel's documented
//! remedy).
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
