import CECommands

/// The `ce` executable: everything happens in `CECommands`.
@main
enum CE {
    static func main() async {
        await CERootCommand.main()
    }
}
