"""Special-topic filing guides (专项报建指导): the flowchart of one approval area and its application links."""
