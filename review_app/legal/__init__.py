"""The legal pages every installation needs: imprint, privacy notice, accessibility statement."""
