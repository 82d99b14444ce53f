// Module IMAPServer: see DESIGN.md's module map. This file is replaced by the module's first real source.
