"""The demo data set (`ledger demo`): people, cases in every stage and the
worked scenarios, written through the command service like any other data."""
