fn main() -> anyhow::Result<()> {
    leifeng::cli::run()
}
