/** Tailwind CSS v3 configuration: classes are found in templ components and
 * in Go files that build class names (views/*.go, web/*.go). */
module.exports = {
  content: [
    "./views/**/*.templ",
    "./views/**/*.go",
    "./web/**/*.go",
    "!./views/**/*_templ.go",
    "!./**/*_test.go",
  ],
  theme: {
    extend: {},
  },
  plugins: [require("@tailwindcss/forms")],
};
