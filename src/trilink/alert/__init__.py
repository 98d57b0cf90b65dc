"""Civil alerts: exposure of a nation's areas to a missile, the alert state machine, CAP 1.2 and Atom.

Everything here is pure: functions of assessments, time and policy. The node
calls :func:`trilink.alert.decide.decide` on each picture update and publishes
what it returns (CAP documents, Atom feed, ``AlertNotice`` to partners).
"""
