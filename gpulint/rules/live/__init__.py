"""GL7xx: verdicts of live mode (`gpulint live`), which builds the image and runs the project's smoke
test beside gpulint's reference smoke test. Static `check` never reports them."""
