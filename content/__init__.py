"""Every word the app shows (content/<lang>/<page>.txt) and the reader of those files (content.catalog): a leaf
package, importable from every room (the pages, the notebooks, the tests)."""
