// Imported through tsx by a spare generation worker while it waits to be needed. A thread's first
// tsImport registers tsx's hooks on its module-hooks thread and starts them; done ahead, that is
// not paid by the reload that loads the plugin (~75 ms of a ~170 ms reload). Nothing in here.
export {}
