"""Comments of one news article, on and off its topic, for the article-context tests."""

ON_TOPIC = [
    "The council's budget cuts will close two libraries next year.",
    "Closing libraries to balance the budget is short-sighted, the council should reconsider.",
    "I read the budget report: the library cuts save less than the new parking scheme costs.",
    "Our local library is the only quiet place my kids can study, please keep it open.",
    "The budget vote is on Tuesday, write to your councillor about the library closures.",
    "Cutting library hours would have been better than closing them outright.",
]
OFF_TOPIC = "Hello everyone, greetings from Brazil, who else is here in 2015?"
ON_TOPIC_NEW = "The library closures are the worst part of this council budget."
