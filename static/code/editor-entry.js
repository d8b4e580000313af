// The CodeMirror pieces the code pane uses, bundled by build.py (esbuild) into
// static/vendor/codemirror.js. Only this list is shipped.
export { EditorView, basicSetup } from "codemirror";
export { python } from "@codemirror/lang-python";
export { keymap, Decoration } from "@codemirror/view";
export { EditorState, StateField, StateEffect, Prec } from "@codemirror/state";
export { indentWithTab } from "@codemirror/commands";
