"""Comments whose place against the toxicity flag line (0.8) the tests of the review queue's
informative order rely on, scored by the default model. Retraining can move them: a test
that fails after a change to the recipe should pick texts anew here, not loosen its checks."""

HESITANT = "What a load of garbage from a useless hack"  # toxicity ~0.84: just over the line
SOMEWHAT = "this article is rubbish and so is the fool who wrote it"  # ~0.91
SURE = "you people are morons"  # ~1.0
