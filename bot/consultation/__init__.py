"""The pre-review consultation: invite codes, the form's questions and dialogue, answers saved
as they are given and sent once, the reminder, and the export for the case record."""
