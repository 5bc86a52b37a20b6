print("journal probe: not yet written")
