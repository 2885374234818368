import CECommands
import CELibmCompat

/// The `ce` executable: everything happens in `CECommands`.
@main
enum CE {
    static func main() async {
        // (A reference, so that the linker keeps CELibmCompat's hypot and hypotf in the binary.)
        _ = ce_libm_compat_linked()
        await CERootCommand.main()
    }
}
