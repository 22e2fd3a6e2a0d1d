"""Analysis over the graph: the accountability API model, the organisation network, exports and curation lint."""
