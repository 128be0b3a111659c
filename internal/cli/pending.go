package cli

// Commands still being built get a placeholder here until their own file
// replaces it.
