import HepaBusCLI
await HepabusMain.run()
